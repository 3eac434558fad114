import packageJson from "../package.json";

/** The service's version, as `package.json` gives it. */
export const VERSION: string = packageJson.version;
