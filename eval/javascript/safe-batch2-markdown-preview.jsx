import { useMemo } from "react";
import { marked } from "marked";
import DOMPurify from "dompurify";

export function MarkdownPreview({ source }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(source)), [source]);
  return <article className="preview" dangerouslySetInnerHTML={{ __html: html }} />;
}
