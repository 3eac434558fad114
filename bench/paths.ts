import { fileURLToPath } from "node:url";

/** The repository root (bench/ lives directly under it). */
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const benchDir = fileURLToPath(new URL(".", import.meta.url));
