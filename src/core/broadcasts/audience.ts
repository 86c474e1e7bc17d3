/**
 * Who a broadcast reaches (issue 8): an audience is a filter, stored as JSON on the Broadcast and
 * resolved when the broadcast starts (so a member approved meanwhile is included). Resolution
 * leaves out people erased, unreachable (ChannelIdentity.reachable false: blocked the bot),
 * opted out (Person.announcementsStoppedAt) and, for members, those without an active membership.
 *
 * Implemented on branch `broadcast`; the shape below is the contract.
 */
import type { Locale } from "../../i18n/locales.ts";

export type EventAnswerFilter = "going" | "maybe" | "no" | "none";

export type Audience =
  /** Active members (people with an active membership of an active or ownerless enterprise), optionally narrowed; empty lists mean "any". */
  | {
      kind: "members";
      regions?: string[];
      sectors?: string[];
      locales?: Locale[];
      /** Enterprise statuses (members/status.ts); default active and ownerless. */
      enterpriseStatuses?: string[];
      /** By their enterprise's answer to an event ("none": not answered). */
      event?: { id: number; answers: EventAnswerFilter[] };
    }
  /** Staff and admins only. */
  | { kind: "staff" };

/** One recipient: a person at one of their addresses, in their language. */
export interface Recipient {
  personId: number;
  channel: string;
  chatId: string;
  locale: Locale;
  enterpriseId: number | null;
}
