import { defineConfig } from '@playwright/test';
// @ts-expect-error: plain ESM helper without type declarations
import { findChromium } from './scripts/browser.mjs';

// scripts/e2e.mjs resolves the browser once (installing it if it may); a direct `playwright test` looks for one here.
const executablePath: string | undefined =
  process.env.RTM_CHROMIUM !== undefined ? process.env.RTM_CHROMIUM || undefined : (findChromium({ install: false }) as { executablePath?: string }).executablePath;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    headless: true,
    trace: 'off',
    launchOptions: {
      executablePath,
      // Without these, Chromium keeps trying Google's hosts, which a closed network refuses.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
});
