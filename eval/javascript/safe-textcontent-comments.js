async function renderComments(postId) {
  const res = await fetch(`/api/posts/${postId}/comments`);
  const comments = await res.json();
  const list = document.querySelector("#comments");
  list.innerHTML = "";
  for (const c of comments) {
    const li = document.createElement("li");
    const who = document.createElement("strong");
    who.textContent = c.author;
    li.append(who, `: ${c.text}`);
    list.appendChild(li);
  }
}

document.addEventListener("DOMContentLoaded", () => renderComments(window.POST_ID));
