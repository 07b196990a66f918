import { useMemo } from "react";
import { marked } from "marked";

export function MarkdownPreview({ source }) {
  const html = useMemo(() => marked.parse(source), [source]);
  return <article className="preview" dangerouslySetInnerHTML={{ __html: html }} />;
}
