/**
 * One request and its answer, as the connection follows them from the head
 * to the decision to keep the connection: the {@link Exchange}.
 *
 * What the head decided is its {@link RequestPlan}; what the exchange adds
 * is what the later steps learn and change: the body reader, the route it is
 * counted under, the streaming parts a streaming route's handler got, and
 * whether the connection is still kept.
 *
 * The exchange is also the response writer's options ({@link WriteOptions}):
 * an options object made per response cost an allocation a request.
 *
 * @module
 */

import type { BodyReader } from "./body.ts";
import type { HttpVersion, RequestHead } from "../protocol/head_parser.ts";
import type { RequestPlan } from "./request_plan.ts";
import type { Streaming } from "./streaming.ts";
import { UNMATCHED_ROUTE } from "./metrics.ts";
import type { WriteOptions } from "./response_writer.ts";

/**
 * One request being answered. A class, not an object literal: V8 pretenures
 * a literal whose objects often outlive a scavenge (see server.ts), as a
 * request waiting on a slow handler or upload does, and then allocates every
 * later one in the old generation.
 */
export class Exchange implements WriteOptions {
  /** Whether the connection stays open after this exchange: the plan's answer, until a later step says no. */
  keepAlive: boolean;
  /** The `Date` value, read when the response is written. */
  date = "";
  /** The route `/metrics` counts the request under, or null when it is not counted. */
  counted: string | null = UNMATCHED_ROUTE;
  /** `performance.now()` when the request's head was read: its duration's start, for the histogram. */
  begun = 0;
  /** The route that answered, as registered; null when none did. */
  route: string | null = null;
  /** The request id, once asked for (the response header or the access log); see request_id.ts. */
  requestId: string | null = null;
  /** A streaming route's request parts, as its handler got them; null on other routes. */
  streaming: Streaming | null = null;

  constructor(
    readonly head: RequestHead,
    readonly plan: RequestPlan,
    readonly body: BodyReader,
    /** The access log's start time, or null when it is off. */
    readonly started: number | null,
    /** The connection's streams (streams.ts), whose closing signal a response stream asks for. */
    readonly streams: { closingSignal(): AbortSignal },
  ) {
    this.keepAlive = plan.keepAlive;
  }

  /** A response to HEAD: the head only. */
  get omitBody(): boolean {
    return this.head.method === "HEAD";
  }

  /** The request's version, which the response's framing follows. */
  get version(): HttpVersion {
    return this.head.version;
  }

  /** The connection's closing signal (see {@link WriteOptions}). */
  closingSignal(): AbortSignal {
    return this.streams.closingSignal();
  }

  /**
   * Whether the client may still send after the response, so closing must
   * linger: it meant to keep the connection (more requests may be on their
   * way), sent bytes beyond this request (`buffered` of them are read), or
   * has not finished sending its body (unless it waits for `100 Continue`,
   * which it never got).
   */
  mayStillSend(buffered: number): boolean {
    const body = this.body;
    const bodyComing = !body.done && !(this.plan.wantsContinue && !body.started);
    return this.plan.clientKeepsAlive || buffered > 0 || bodyComing;
  }
}
