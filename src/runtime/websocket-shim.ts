/**
 * Node 20 has no global WebSocket unless started with --experimental-websocket, and @medplum/core reads it when it
 * is imported. This project never opens a WebSocket, so a stand-in that refuses to connect is enough. Import this
 * module before @medplum/core. Node 22 has WebSocket and is left alone.
 */
const g = globalThis as { WebSocket?: unknown };
g.WebSocket ??= function WebSocketUnavailable(): never {
  throw new Error('WebSocket is not available in this Node.js version');
};
export {};
