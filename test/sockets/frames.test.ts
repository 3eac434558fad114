import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_FRAME_BYTES } from "../../src/protocol/constants";
import { readJsonFrame } from "../../src/sockets/frames";

const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** A status frame around `text`, written by hand so a lone surrogate stays raw (JSON.stringify escapes it). */
const statusFrame = (text: string) => `{"type":"status","text":"${text}"}`;

/**
 * A JSON frame of exactly `bytes` UTF-8 bytes (as an encoder counts them): `lead`, then as many
 * `fill` characters as fit, then ASCII to make up the rest.
 */
function frameOfBytes(bytes: number, fill: string, lead = ""): string {
  const count = Math.floor((bytes - utf8Bytes(statusFrame(lead))) / utf8Bytes(fill));
  const text = lead + fill.repeat(count);
  const frame = statusFrame(text + "a".repeat(bytes - utf8Bytes(statusFrame(text))));
  expect(utf8Bytes(frame)).toBe(bytes);
  return frame;
}

const tooBig = { ok: false, code: "invalid_frame", tooBig: true };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("readJsonFrame", () => {
  describe.each([
    ["ASCII", "a"],
    ["two-byte characters", "é"],
    ["three-byte characters", "€"],
    ["surrogate pairs (four bytes, two code units)", "😀"],
  ])("with %s", (_, fill) => {
    it("accepts a frame of exactly the limit in UTF-8 bytes", () => {
      expect(readJsonFrame(frameOfBytes(MAX_FRAME_BYTES, fill))).toMatchObject({ ok: true, value: { type: "status" } });
    });

    it("refuses a frame one byte over the limit", () => {
      expect(readJsonFrame(frameOfBytes(MAX_FRAME_BYTES + 1, fill))).toMatchObject(tooBig);
    });
  });

  it("counts a surrogate pair as four bytes, not as two code units", () => {
    const frame = frameOfBytes(MAX_FRAME_BYTES + 1, "a", "😀😀");
    expect(frame.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(readJsonFrame(frame)).toMatchObject(tooBig);
  });

  it("counts a surrogate pair as four bytes, not as two three-byte halves", () => {
    expect(readJsonFrame(frameOfBytes(MAX_FRAME_BYTES, "a", "😀"))).toMatchObject({ ok: true });
  });

  it("counts a lone surrogate as the three bytes of U+FFFD, as an encoder does", () => {
    const lone = "\ud83d";
    expect(readJsonFrame(frameOfBytes(MAX_FRAME_BYTES, "a", lone))).toMatchObject({ ok: true });
    expect(readJsonFrame(frameOfBytes(MAX_FRAME_BYTES + 1, "a", lone))).toMatchObject(tooBig);
    expect(readJsonFrame(frameOfBytes(MAX_FRAME_BYTES + 1, "a", `${lone}😀`))).toMatchObject(tooBig);
  });

  it("accepts a short frame of three-byte characters, which cannot be over the limit", () => {
    const frame = statusFrame("€".repeat(Math.floor(MAX_FRAME_BYTES / 3) - statusFrame("").length));
    expect(frame.length * 3).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(readJsonFrame(frame)).toMatchObject({ ok: true });
  });

  it("refuses a frame with more code units than the limit has bytes", () => {
    expect(readJsonFrame(statusFrame("a".repeat(MAX_FRAME_BYTES)))).toMatchObject(tooBig);
  });

  it("measures a frame without encoding it, even a huge one", () => {
    const frames = [
      statusFrame("€".repeat(16 * 1024 * 1024)),
      frameOfBytes(MAX_FRAME_BYTES, "é"),
      frameOfBytes(MAX_FRAME_BYTES + 1, "😀"),
    ];
    const encode = vi.spyOn(TextEncoder.prototype, "encode");
    const encodeInto = vi.spyOn(TextEncoder.prototype, "encodeInto");
    expect(frames.map((frame) => readJsonFrame(frame).ok)).toEqual([false, true, false]);
    expect(encode).not.toHaveBeenCalled();
    expect(encodeInto).not.toHaveBeenCalled();
  });

  it("refuses a binary frame as binary, and a too-big one as too big", () => {
    expect(readJsonFrame(new ArrayBuffer(16))).toMatchObject({ ok: false, code: "binary_frame", tooBig: false });
    expect(readJsonFrame(new ArrayBuffer(MAX_FRAME_BYTES + 1))).toMatchObject(tooBig);
  });

  it("tells text that is not JSON apart from a frame that is too big", () => {
    expect(readJsonFrame("{not json")).toMatchObject({ ok: false, code: "invalid_json", tooBig: false });
  });
});
