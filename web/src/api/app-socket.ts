import { browserNetwork } from '../lib/network';
import { SocketChannel, type ChannelMessage } from '../lib/socket-channel';
import { freshAccessToken, refreshTokens } from './http';

/**
 * The app's WebSocket (`/api/v1/ws`), signed in with the current access token. Each screen
 * opens its own channel with the message types of its protocol (contracts/ws).
 */
export function createAppSocket<
  Out extends ChannelMessage,
  In extends ChannelMessage,
>(): SocketChannel<Out, In> {
  return new SocketChannel<Out, In>({
    url: async () => {
      const token = await freshAccessToken();
      if (!token) return null;
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      return `${scheme}://${location.host}/api/v1/ws?token=${encodeURIComponent(token)}`;
    },
    WebSocket,
    network: browserNetwork,
    refreshAuth: refreshTokens,
  });
}
