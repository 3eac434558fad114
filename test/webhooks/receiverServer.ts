import { createServer, type Server } from "node:http";

/**
 * A real HTTP receiver for webhook tests (run by vitest's global setup, in Node): it records every
 * POST and answers 200, or 500 for the first `times` batches holding an event of a user told to fail.
 * Tests in workerd read what it got over HTTP: `GET /received?user=…`, `POST /fail?user=…&times=…`.
 */

interface Delivery {
  status: number;
  signature: string | null;
  attempt: string | null;
  body: string;
  users: string[];
}

export function startReceiver(port: number): Promise<Server> {
  const deliveries: Delivery[] = [];
  const failing = new Map<string, number>();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const answer = (status: number, body: unknown = {}) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      const user = url.searchParams.get("user") ?? "";
      if (request.method === "POST" && url.pathname === "/fail") {
        failing.set(user, Number(url.searchParams.get("times") ?? "1"));
        return answer(200);
      }
      if (request.method === "GET" && url.pathname === "/received") {
        return answer(200, deliveries.filter((delivery) => delivery.users.includes(user)));
      }
      if (request.method !== "POST" || url.pathname !== "/hook") return answer(404);
      const body = Buffer.concat(chunks).toString("utf8");
      const users = [...new Set((JSON.parse(body) as { events: { user: string }[] }).events.map((event) => event.user))];
      const failFor = users.find((held) => (failing.get(held) ?? 0) > 0);
      if (failFor !== undefined) failing.set(failFor, (failing.get(failFor) ?? 1) - 1);
      const status = failFor === undefined ? 200 : 500;
      const header = (name: string) => (request.headers[name] as string | undefined) ?? null;
      deliveries.push({ status, signature: header("presence-signature"), attempt: header("presence-attempt"), body, users });
      answer(status);
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}
