import { RestError } from "../sdk/presence-client.js";

/** GET one of the service's JSON routes with the session's token; a refusal throws the SDK's RestError (status, code). */
export async function getJson(path, token) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${await token()}` } });
  if (!response.ok) throw await RestError.from(response);
  return response.json();
}
