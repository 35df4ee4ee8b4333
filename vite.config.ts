import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is a static bundle: Electron loads it from app://, browser mode serves it over HTTP.
export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
  },
});
