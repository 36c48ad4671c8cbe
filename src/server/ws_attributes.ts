/**
 * The plain attributes of the standard `WebSocket` interface, apart from the
 * socket's behaviour: the state constants and the `on…` event handler
 * attributes (WHATWG HTML §8.1.8: setting one adds a listener in the order of
 * first setting, replacing it keeps that place, null removes it, and a value
 * that is not a function reads as null).
 *
 * @module
 */

const CONNECTING = 0 as const, OPEN = 1 as const, CLOSING = 2 as const, CLOSED = 3 as const;

/** An `on…` attribute's value. */
export type Handler<E extends Event> = ((this: WebSocket, ev: E) => unknown) | null;

/** What {@link WebSocketAttributes} keeps for one event type. */
interface Slot {
  fn: ((ev: Event) => unknown) | null;
  readonly listener: (ev: Event) => void;
}

/** The constants and the `onopen`/`onmessage`/`onerror`/`onclose` attributes of a WebSocket. */
export abstract class WebSocketAttributes extends EventTarget {
  /** Before start(): 0. */
  static readonly CONNECTING: 0 = CONNECTING;
  /** Open: 1. */
  static readonly OPEN: 1 = OPEN;
  /** Our close is sent, or the peer's received: 2. */
  static readonly CLOSING: 2 = CLOSING;
  /** Closed: 3. */
  static readonly CLOSED: 3 = CLOSED;

  readonly #slots = new Map<string, Slot>();

  /** 0, as the class's. */
  get CONNECTING(): 0 {
    return CONNECTING;
  }
  /** 1, as the class's. */
  get OPEN(): 1 {
    return OPEN;
  }
  /** 2, as the class's. */
  get CLOSING(): 2 {
    return CLOSING;
  }
  /** 3, as the class's. */
  get CLOSED(): 3 {
    return CLOSED;
  }

  /** Called on `open`. */
  get onopen(): Handler<Event> {
    return this.#get("open");
  }
  set onopen(fn: Handler<Event>) {
    this.#set("open", fn);
  }
  /** Called on each `message`. */
  get onmessage(): Handler<MessageEvent> {
    return this.#get("message");
  }
  set onmessage(fn: Handler<MessageEvent>) {
    this.#set("message", fn);
  }
  /** Called on `error`, before `close`. */
  get onerror(): Handler<Event> {
    return this.#get("error");
  }
  set onerror(fn: Handler<Event>) {
    this.#set("error", fn);
  }
  /** Called on `close`. */
  get onclose(): Handler<CloseEvent> {
    return this.#get("close");
  }
  set onclose(fn: Handler<CloseEvent>) {
    this.#set("close", fn);
  }

  /** Adds a listener; typed by event as the standard `WebSocket` is. */
  override addEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (this: WebSocket, ev: WebSocketEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Adds a listener for any event type. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }

  /** Removes a listener; typed by event as the standard `WebSocket` is. */
  override removeEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (this: WebSocket, ev: WebSocketEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Removes a listener for any event type. */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }

  #get<E extends Event>(type: string): Handler<E> {
    return (this.#slots.get(type)?.fn ?? null) as Handler<E>;
  }

  #set(type: string, value: unknown): void {
    const fn = typeof value === "function" ? value as (ev: Event) => unknown : null;
    const slot = this.#slots.get(type);
    if (fn === null) {
      if (slot === undefined) return;
      this.removeEventListener(type, slot.listener);
      this.#slots.delete(type);
    } else if (slot !== undefined) {
      slot.fn = fn;
    } else {
      const created: Slot = { fn, listener: (ev) => void created.fn?.call(this, ev) };
      this.#slots.set(type, created);
      this.addEventListener(type, created.listener);
    }
  }
}
