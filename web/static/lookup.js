// The rep's check before registering: candidates as they type (/api/suggest), the full check on
// submit (/api/check). Every value is put on the page as text (textContent), never as HTML.
"use strict";
(function () {
  const input = document.getElementById("q");
  const list = document.getElementById("suggestions");
  const status = document.getElementById("status");
  const answer = document.getElementById("answer");
  const answerTitle = document.getElementById("answer-title");
  const answerList = document.getElementById("answer-list");
  const MATCHED_BY = {name: "名称", short_name: "简称", pinyin: "拼音", initials: "拼音首字母",
                      phone: "电话", email: "邮箱", credit_code: "信用代码"};
  let pending = null;
  let timer = null;

  // a session that ended (sign-out elsewhere, expiry) sends the rep to sign in, then back here
  function signedOut(response) {
    if (response.status !== 401) return false;
    window.location.assign("/login?next=/");
    return true;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function ownerLine(item) {
    if (item.status === "protected" || (item.owner_rep_id && item.status !== "public_pool")) {
      const until = item.protection_end ? "，保护至 " + item.protection_end.slice(0, 10) : "";
      const team = item.owner_team || item.team || "";
      return "已被 " + (item.owner_name || item.owner_rep_id) + (team ? "（" + team + "）" : "") + " 保护" + until;
    }
    return "公海：可以报备";
  }

  function suggestionItem(item) {
    const li = el("li", "card suggestion " + (item.status === "public_pool" ? "free" : "taken"));
    li.setAttribute("role", "option");
    li.append(el("div", "name", item.display_name));
    const how = MATCHED_BY[item.matched_by] || item.matched_by;
    li.append(el("div", "muted", how + "匹配：" + item.matched_name));
    li.append(el("div", "owner", ownerLine(item)));
    li.tabIndex = 0;
    const choose = () => { input.value = item.display_name; check(); };
    li.addEventListener("click", choose);
    li.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(); }
    });
    return li;
  }

  async function suggest() {
    const typed = input.value.trim();
    if (pending) pending.abort();
    if (!typed) { list.replaceChildren(); status.textContent = ""; return; }
    pending = new AbortController();
    try {
      const response = await fetch("/api/suggest?q=" + encodeURIComponent(typed), {signal: pending.signal});
      if (signedOut(response)) return;
      const body = await response.json();
      if (!response.ok) { status.textContent = body.error ? body.error.zh : "查询失败"; return; }
      if (input.value.trim() !== typed) return;
      list.replaceChildren(...body.suggestions.map(suggestionItem));
      status.textContent = body.suggestions.length ? "" : "没有找到相似的已知客户";
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = "网络错误，请重试";
    }
  }

  function fieldOf(text) {
    if (text.includes("@")) return "email";
    const digits = text.replace(/[^0-9]/g, "");
    if (/^[0-9A-Za-z]{18}$/.test(text) && /[A-Za-z]/.test(text)) return "credit_code";
    if (digits.length >= 7 && /^[0-9+()\-\s]+$/.test(text)) return "phone";
    return "name";
  }

  function matchItem(match) {
    const li = el("li", "card " + (match.status === "protected" ? "taken" : "free"));
    li.append(el("div", "name", match.display_name));
    li.append(el("div", "verdict", match.verdict_zh));
    const owner = match.owner || {};
    li.append(el("div", "owner", ownerLine({status: match.status, owner_rep_id: owner.rep_id,
      owner_name: owner.name, owner_team: owner.team, protection_end: match.protection_end})));
    return li;
  }

  async function check() {
    const typed = input.value.trim();
    if (!typed) return;
    clearTimeout(timer);  // a suggestion still on its way must not cover the answer
    if (pending) pending.abort();
    list.replaceChildren();
    status.textContent = "正在查重……";
    let response, body;
    try {
      response = await fetch("/api/check?" + fieldOf(typed) + "=" + encodeURIComponent(typed));
      if (signedOut(response)) return;
      body = await response.json();
    } catch (error) {
      status.textContent = "网络错误或服务暂时不可用，请重试";
      return;
    }
    if (!response.ok) { status.textContent = body.error ? body.error.zh : "查询失败"; return; }
    status.textContent = "";
    answer.hidden = false;
    answerTitle.textContent = body.known ? "已有相同或相似的客户：报备前请先确认" : "没有已被保护的相同客户：可以报备";
    answerTitle.className = body.known ? "taken" : "free";
    const rows = body.matches.map(matchItem);
    for (const related of body.related_companies || []) {
      const li = matchItem(related);
      li.classList.add("related");
      rows.push(li);
    }
    answerList.replaceChildren(...rows);
  }

  input.addEventListener("input", () => {
    answer.hidden = true;
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  document.getElementById("check-form").addEventListener("submit", (event) => { event.preventDefault(); check(); });
})();
