async function renderComments(postId) {
  const res = await fetch(`/api/posts/${postId}/comments`);
  const comments = await res.json();
  const list = document.querySelector("#comments");
  list.innerHTML = comments
    .map((c) => `<li><strong>${c.author}</strong>: ${c.text}</li>`)
    .join("");
}

document.addEventListener("DOMContentLoaded", () => renderComments(window.POST_ID));
