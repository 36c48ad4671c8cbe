/**
 * Micro-benchmark of the open-connection registry (`deno task bench:micro`):
 * 1,000 connections opened, then closed in another order, with a doubly
 * linked list (`OpenList`), against a `Set` of entries
 * (tests/reference/open_list.ts, the baseline). The micro figure is only
 * the operations' cost; what the list was chosen for is the garbage
 * collector's (see src/server/open_list.ts), which this does not show.
 *
 * @module
 */

import { type OpenEntry, OpenList } from "../src/server/open_list.ts";
import { ReferenceOpenList } from "../tests/reference/open_list.ts";

const N = 1000;
/** A fixed shuffle of 0..N-1: the order connections close in. */
const ORDER = Array.from({ length: N }, (_, i) => (i * 389) % N);
const value = { socket: 0 };

Deno.bench({
  name: "open/close 1000: reference, a Set (ReferenceOpenList)",
  group: "open/close",
  baseline: true,
  fn() {
    const list = new ReferenceOpenList<object>();
    const entries: Array<{ readonly value: object }> = [];
    for (let i = 0; i < N; i++) entries.push(list.add(value));
    for (const i of ORDER) list.remove(entries[i]!);
  },
});
Deno.bench({
  name: "open/close 1000: optimised, a linked list (OpenList)",
  group: "open/close",
  fn() {
    const list = new OpenList<object>();
    const entries: Array<OpenEntry<object>> = [];
    for (let i = 0; i < N; i++) entries.push(list.add(value));
    for (const i of ORDER) list.remove(entries[i]!);
  },
});
