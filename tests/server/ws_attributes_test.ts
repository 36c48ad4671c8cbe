/** Tests for the WebSocket constants and on… attributes (src/server/ws_attributes.ts). */

import assert from "node:assert/strict";
import { WebSocketAttributes } from "../../src/server/ws_attributes.ts";

class Target extends WebSocketAttributes {}

Deno.test("WebSocketAttributes has the state constants on the class and its instances", () => {
  const t = new Target();
  assert.deepEqual([t.CONNECTING, t.OPEN, t.CLOSING, t.CLOSED], [0, 1, 2, 3]);
  assert.deepEqual(
    [Target.CONNECTING, Target.OPEN, Target.CLOSING, Target.CLOSED],
    [WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED],
  );
});

Deno.test("an on… handler runs in the place it was first set, replaced in place", () => {
  const t = new Target();
  const calls: string[] = [];
  t.onclose = () => calls.push("a");
  t.addEventListener("close", () => calls.push("listener"));
  t.onclose = () => calls.push("b"); // keeps the first place
  t.dispatchEvent(new CloseEvent("close"));
  assert.deepEqual(calls, ["b", "listener"]);
});

Deno.test("an on… handler set to null is removed, and set again goes last", () => {
  const t = new Target();
  const calls: string[] = [];
  t.onopen = () => calls.push("handler");
  t.onopen = null;
  t.addEventListener("open", () => calls.push("listener"));
  t.onopen = () => calls.push("handler again");
  t.dispatchEvent(new Event("open"));
  assert.deepEqual(calls, ["listener", "handler again"]);
  assert.equal(typeof t.onopen, "function");
});

Deno.test("an on… attribute given something other than a function reads as null", () => {
  const t = new Target();
  t.onmessage = 42 as unknown as null;
  assert.equal(t.onmessage, null);
  t.dispatchEvent(new MessageEvent("message")); // nothing to call, nothing thrown
});

Deno.test("removeEventListener() removes a listener added with addEventListener()", () => {
  const t = new Target();
  let calls = 0;
  const listener = () => calls++;
  t.addEventListener("error", listener);
  t.removeEventListener("error", listener);
  t.dispatchEvent(new Event("error"));
  assert.equal(calls, 0);
});
