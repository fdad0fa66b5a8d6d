import { EventData, EventType, RecordedEvent, StreamType } from '@workgate/contracts';

/** A recorded event of one stream type and event type, its data as the ledger's event map declares it. */
export type Recorded<S extends StreamType, T extends EventType<S>> = RecordedEvent & { type: T; data: EventData<S, T> };

/** The events a view handles: event type -> the stream type it is recorded on. */
export type Handles = Readonly<Record<string, StreamType>>;

/** The events a `Handles` map names, as one union discriminated by `type`. */
export type HandledEvent<H extends Handles> = {
  [T in keyof H & string]: T extends EventType<H[T]> ? Recorded<H[T], T> : never;
}[keyof H & string];
