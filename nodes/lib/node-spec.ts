// The shape of a node's specification (nodes/<type>/spec.ts): the tables its runtime adapter and its
// dialog share. Types only, so the editor bundle gains nothing from this file.
import type { IdKind } from "../../src/id-prefixes";

export interface NodeSpec {
  /** the node type, as registered */
  type: string;
  /** what the runtime does, in the order the dialog offers them ("msg" is the dialog's extra choice);
   * a node that does one thing has none */
  operations?: readonly string[];
  /** option groups of the dialog's operation select, by catalogue name <type>.group.<name> */
  groups?: Readonly<Record<string, readonly string[]>>;
  /** the operations each part of the dialog (and the runtime's input) serves */
  uses?: Readonly<Record<string, readonly string[]>>;
  /** the kind of each ID field, which names its prefixes in src/id-prefixes.ts */
  ids: Readonly<Record<string, IdKind>>;
  /** the node's own tables (its fields, search fields, ...) */
  readonly [table: string]: unknown;
}
