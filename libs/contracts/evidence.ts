/** A piece of evidence a record points at: its kind, where it is, and its hash when known. */
export interface Evidence {
  kind: string;
  ref: string;
  sha256?: string;
  /** Private evidence never appears on public surfaces (delivery page, notifications). */
  private?: boolean;
  note?: string;
}
