// A Capacitor app's key screen: <instant-key> reaches the locks through the app's Bluetooth
// plugin instead of the WebView's (which has no Web Bluetooth on iOS or in an Android
// WebView). Set the transport before the element is attached: it then counts as supported.
import 'instant-key/define';
import { capacitorTransport } from './capacitor-transport.ts';

const key = document.querySelector('instant-key')!;
const main = key.parentElement!;
key.remove();
key.transport = capacitorTransport();
main.append(key);
