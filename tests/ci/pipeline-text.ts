/** Every npm script a shell text calls: `npm run x`, `npm run-script x`, `npm test`, `npm start`. */
export function npmScriptsCalled(shell: string): string[] {
  const scripts: string[] = [];
  for (const match of shell.matchAll(/\bnpm\s+(?:run|run-script)\s+([\w:.-]+)|\bnpm\s+(test|start|stop|restart)\b/g)) {
    scripts.push(match[1] ?? match[2]);
  }
  return scripts;
}

export function packageScripts(packageJson: string): string[] {
  return Object.keys((JSON.parse(packageJson) as { scripts?: Record<string, string> }).scripts ?? {});
}
