import { describe, expect, it } from "vitest";
import type { z } from "zod";
import * as client from "../../packages/client/src/protocol";
import * as constants from "../../src/protocol/constants";
import type { ErrorBody, ErrorCode } from "../../src/protocol/errors";
import type * as frames from "../../src/protocol/frames";
import type { ScopeHistory } from "../../src/protocol/history";
import type { DeviceType, ScopeId } from "../../src/protocol/ids";
import * as member from "../../src/protocol/member";
import type { Message, SendMessageResponse } from "../../src/protocol/messages";
import type { ChosenStatus, DeviceView, Member, MemberStatus, PresenceView, Status } from "../../src/protocol/presence";
import type { Audience, Privacy, PrivacyChange, RelationsChange, RelationsList } from "../../src/protocol/rest";

/**
 * The client package carries its own plain copy of the protocol (packages/client/src/protocol.ts), so
 * its `.d.ts` needs neither zod nor server code. This file keeps that copy honest: the types must be
 * the ones the service's schemas infer (checked when `tsc` compiles this file), and the constants and
 * helpers must be the service's.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** A type that drifted fails `tsc` on its own line: "Type 'false' does not satisfy the constraint 'true'". */
type Expect<T extends true> = T;
export type ProtocolChecks = [
  Expect<Same<client.ScopeId, ScopeId>>,
  Expect<Same<client.DeviceType, DeviceType>>,
  Expect<Same<client.ErrorCode, ErrorCode>>,
  Expect<Same<client.ErrorBody, ErrorBody>>,
  Expect<Same<client.Status, Status>>,
  Expect<Same<client.ChosenStatus, ChosenStatus>>,
  Expect<Same<client.MemberStatus, MemberStatus>>,
  Expect<Same<client.DeviceView, DeviceView>>,
  Expect<Same<client.PresenceView, PresenceView>>,
  Expect<Same<client.Member, Member>>,
  Expect<Same<client.RosterDiff, member.RosterDiff>>,
  Expect<Same<client.Message, Message>>,
  Expect<Same<client.SendMessageResponse, SendMessageResponse>>,
  Expect<Same<client.ScopeHistory, ScopeHistory>>,
  Expect<Same<client.Audience, Audience>>,
  Expect<Same<client.Privacy, Privacy>>,
  Expect<Same<client.PrivacyChange, z.infer<typeof PrivacyChange>>>,
  Expect<Same<client.RelationsChange, z.input<typeof RelationsChange>>>,
  Expect<Same<client.Relations, z.infer<typeof RelationsList>>>,
  Expect<Same<client.StatusFrame, frames.StatusFrame>>,
  Expect<Same<client.SubscribeFrame, frames.SubscribeFrame>>,
  Expect<Same<client.UnsubscribeFrame, frames.UnsubscribeFrame>>,
  Expect<Same<client.AckFrame, z.infer<typeof frames.AckFrame>>>,
  Expect<Same<client.ReadFrame, z.infer<typeof frames.ReadFrame>>>,
  Expect<Same<client.DeviceServerFrame, frames.DeviceServerFrame>>,
  Expect<Same<client.MembersWatchFrame, frames.MembersWatchFrame>>,
];

describe("the client package's copy of the protocol", () => {
  it("has the service's constants", () => {
    const shared = Object.keys(client).filter((name) => name in constants);
    expect(shared.sort()).toEqual(["CloseCode", "MAX_FRAME_BYTES", "MAX_MESSAGES_PER_FRAME", "MAX_RELATION_CHANGE", "MAX_SUBSCRIPTIONS", "PING", "PONG", "TYPING_INTERVAL_MS"]);
    for (const name of shared) expect(client[name as keyof typeof client], name).toEqual(constants[name as keyof typeof constants]);
  });

  it("compares members and diffs as the service does", () => {
    const a = { user: "a", status: "online", text: null, lastActive: 1 } as const;
    const cases: [client.Member | null, client.Member | null][] = [
      [a, a],
      [a, { ...a }],
      [a, { ...a, text: "x" }],
      [a, { ...a, name: "A" }],
      [a, null],
      [null, null],
    ];
    for (const [x, y] of cases) expect(client.sameMember(x, y)).toBe(member.sameMember(x, y));
    for (const diff of [{ joins: [], updates: [], leaves: [] }, { joins: [], updates: [], leaves: ["a"] }]) {
      expect(client.isEmptyDiff(diff)).toBe(member.isEmptyDiff(diff));
    }
  });
});
