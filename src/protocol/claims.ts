import * as z from "zod";
import { ShortId, UserId } from "./ids";
import { DisplayName } from "./presence";

/** What a verified token says about its bearer. */
export const TokenClaims = z.object({
  sub: UserId,
  exp: z.number().int(),
  iat: z.number().int().optional(),
  org: ShortId.optional(),
  zone: ShortId.optional(),
  name: DisplayName.optional(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

/** The claims a presence object needs: who, where they belong, and what to call them. */
export type Identity = Pick<TokenClaims, "sub" | "org" | "zone" | "name">;

export function identityOf(claims: TokenClaims): Identity {
  return {
    sub: claims.sub,
    ...(claims.org === undefined ? {} : { org: claims.org }),
    ...(claims.zone === undefined ? {} : { zone: claims.zone }),
    ...(claims.name === undefined ? {} : { name: claims.name }),
  };
}
