/**
 * "Does this look like a problem already reported?" (issue 7 item 1): a full-text search over the
 * open problems of one category with MiniSearch: the title weighs more than the description, terms
 * match with typos (fuzzy, 0.2 of the term's length) and by prefix ("сертифик" finds
 * "сертификация"). Terms are folded: lower case, NFKC, ё → е (Russian writes both); Kazakh letters
 * (ә ғ қ ң ө ұ ү һ і) are kept as they are, since they distinguish words. Very short words and the
 * commonest function words are not indexed, so that "и", "на", "мен" do not make every problem
 * look alike.
 *
 * The index is built per call from the category's open problems: a few hundred rows at most (an
 * association of some hundred enterprises), so building costs about a millisecond and needs no
 * invalidation across instances.
 */
import MiniSearch from "minisearch";
import type { Tx } from "../../db/database.ts";
import type { ProblemRow } from "./data.ts";
import { OPEN_STATUSES } from "./status.ts";

/** Words too common to tell problems apart (ru, kk, en), folded. */
const STOPWORDS = new Set(
  [
    // ru
    "для", "что", "как", "это", "при", "или", "все", "так", "нет", "уже", "его", "еще", "нас", "наш", "наши", "мы", "они", "она", "оно",
    "очень", "есть", "быть", "было", "был", "были", "также", "только", "чтобы", "когда", "из-за", "без", "под", "над", "про", "нам",
    // kk
    "мен", "бен", "пен", "үшін", "және", "бар", "жоқ", "біз", "бұл", "сол", "осы", "да", "де", "та", "те", "ал", "бірақ", "өте",
    // en
    "the", "and", "for", "with", "that", "this", "are", "was", "our", "not", "but", "has", "have",
  ].map((w) => fold(w)),
);

/** Lower case, compatibility forms unified, ё → е. */
export function fold(term: string): string {
  return term.normalize("NFKC").toLocaleLowerCase("ru").replace(/ё/g, "е");
}

/** Splits on anything that is not a letter, digit or combining mark (Cyrillic, Kazakh and Latin alike). */
export function tokenize(text: string): string[] {
  return text.split(/[^\p{L}\p{N}\p{M}]+/u).filter(Boolean);
}

/** A term as indexed and searched: folded; null (dropped) when shorter than 3 or a stop word. */
export function processTerm(term: string): string | null {
  const t = fold(term);
  if (t.length < 3 && !/^\d+$/.test(t)) return null;
  return STOPWORDS.has(t) ? null : t;
}

/** Builds the index over `rows` (id, title, description). */
export function buildIndex(rows: Pick<ProblemRow, "id" | "title" | "description">[]): MiniSearch<Pick<ProblemRow, "id" | "title" | "description">> {
  const index = new MiniSearch<Pick<ProblemRow, "id" | "title" | "description">>({
    fields: ["title", "description"],
    storeFields: [],
    tokenize,
    processTerm,
    searchOptions: { boost: { title: 3 }, fuzzy: 0.2, prefix: true, combineWith: "OR" },
  });
  index.addAll(rows.map((r) => ({ id: r.id, title: r.title, description: r.description })));
  return index;
}

/**
 * The open problems of `category` most like `title` and `description`, best first, at most
 * `limit`; problems of `excludeEnterprise` (reported or joined) are left out.
 */
export async function findSimilar(
  tx: Tx,
  q: { category: string; title: string; description: string; excludeEnterprise: number; limit: number },
): Promise<ProblemRow[]> {
  const rows = await tx.problem.findMany({
    where: {
      category: q.category,
      status: { in: [...OPEN_STATUSES] },
      enterpriseId: { not: q.excludeEnterprise },
      affected: { none: { enterpriseId: q.excludeEnterprise } },
    },
    orderBy: { id: "desc" },
    take: 1000,
  });
  if (!rows.length) return [];
  const query = `${q.title} ${q.description}`.trim();
  if (!query) return [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const hits = buildIndex(rows).search(query);
  return hits
    .slice(0, Math.max(0, q.limit))
    .map((h) => byId.get(h.id as number))
    .filter((r): r is ProblemRow => !!r);
}
