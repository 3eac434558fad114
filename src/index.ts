import { createApp } from "./http/app";

export { PresenceObject } from "./presence/PresenceObject";
export { RoomObject } from "./rooms/RoomObject";

export default createApp();
