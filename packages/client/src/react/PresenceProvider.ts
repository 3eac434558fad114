import { createElement, useEffect, useState, type ReactElement, type ReactNode } from "react";
import { PresenceClient, type PresenceClientOptions, type WatchOptions } from "../index.js";
import { ClientStores } from "./ClientStores.js";
import { PresenceContext } from "./context.js";

/** A `PresenceProvider` is given a ready client, or the options to make (and own) one. */
export type PresenceProviderProps = {
  /** The components whose hooks use the provider's client. */
  children?: ReactNode;
  /**
   * The connection options of the rosters' watch sockets (`useRoster`). Defaults to `options` when the
   * provider makes the client; needed for `useRoster` when it is given one. Read once, on mount.
   */
  watch?: WatchOptions;
} & (
  | {
      /** A client the app made and closes itself: the provider only listens to it. */
      client: PresenceClient;
      /** Not with `client`. */
      options?: never;
    }
  | {
      /**
       * The provider makes its own client with these options when it mounts, and closes it when it
       * unmounts. Read once, on mount: give the provider a new `key` to start over with other options.
       */
      options: PresenceClientOptions;
      /** Not with `options`. */
      client?: never;
    }
);

/**
 * Makes a presence client available to the hooks below it. A client it makes is created in an effect,
 * not while rendering, so a render React throws away (StrictMode renders twice) opens no socket; an
 * unmount closes it, and the watches the hooks opened, leaving no socket and no timer behind.
 */
export function PresenceProvider(props: PresenceProviderProps): ReactElement {
  const { client } = props;
  const [initial] = useState(() => ({ options: props.options, watch: props.watch }));
  const [stores, setStores] = useState<ClientStores | null>(null);
  useEffect(() => {
    const options = initial.options;
    if (!client && !options) throw new Error("PresenceProvider needs a `client` or `options`");
    const used = client ?? new PresenceClient(options!);
    const created = new ClientStores(used, initial.watch ?? (client ? undefined : options));
    setStores(created);
    return () => {
      created.dispose();
      if (!client) used.close();
      setStores(null);
    };
  }, [client, initial]);
  return createElement(PresenceContext.Provider, { value: stores }, props.children);
}
