/**
 * The categories of an industry problem (issue 7), in the order members see them. Each has a
 * name and a one-line explanation in every language: locale keys `problem-cat-<id>` and
 * `problem-cat-<id>-hint`.
 */
export const CATEGORIES = [
  "raw-materials",
  "customs-export",
  "certification",
  "procurement",
  "taxes",
  "finance",
  "staff-training",
  "equipment-energy",
  "other",
] as const;
export type Category = (typeof CATEGORIES)[number];

export function isCategory(value: unknown): value is Category {
  return typeof value === "string" && (CATEGORIES as readonly string[]).includes(value);
}
