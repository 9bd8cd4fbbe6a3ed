// Vue 3: tell the template compiler that <instant-key> is a custom element, then bind it like
// any element; `@ik-unlock` listens to the element's event. (With single-file components, set
// `compilerOptions.isCustomElement` in @vitejs/plugin-vue's options instead.)
import { createApp, ref } from 'vue';
import 'instant-key/define';
import type { InstantKeyEventMap } from 'instant-key';

const app = createApp({
  setup() {
    const opened = ref('');
    const onUnlock = (event: InstantKeyEventMap['ik-unlock']) => (opened.value = event.detail.entrance.display_name);
    return { opened, onUnlock };
  },
  template: `
    <main>
      <h1>Your stay</h1>
      <instant-key endpoint="http://127.0.0.1:8787" @ik-unlock="onUnlock"></instant-key>
      <p v-if="opened" role="status">{{ opened }} is open.</p>
    </main>
  `,
});
app.config.compilerOptions.isCustomElement = (tag) => tag === 'instant-key';
app.mount('#app');
