import { startReceiver } from "./receiverServer";

/** Vitest global setup: the webhook receiver runs for the whole unit suite, on the port the config chose. */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await startReceiver(Number(process.env.WEBHOOK_RECEIVER_PORT));
  return () => new Promise((resolve) => server.close(() => resolve()));
}
