import React from "react";
import DOMPurify from "dompurify";

export default function ProfileCard({ user }) {
  return (
    <section className="profile">
      <h2>{user.name}</h2>
      <p className="tagline">{user.tagline}</p>
      <div className="bio" dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(user.bioHtml) }} />
    </section>
  );
}
