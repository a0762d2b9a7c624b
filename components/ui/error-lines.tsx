/** The server's own error lines, verbatim. */
export function ErrorLines({ message, lines }: { message: string; lines?: string[] }) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
      <p className="font-medium">{message}</p>
      {lines && lines.length > 0 && (
        <pre className="mt-2 max-h-48 overflow-auto whitespace-pre-wrap font-mono text-xs text-red-900">
          {lines.join("\n")}
        </pre>
      )}
    </div>
  );
}
