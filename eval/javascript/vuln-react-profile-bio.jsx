import React from "react";

export default function ProfileCard({ user }) {
  return (
    <section className="profile">
      <h2>{user.name}</h2>
      <div className="bio" dangerouslySetInnerHTML={{ __html: user.bio }} />
    </section>
  );
}
