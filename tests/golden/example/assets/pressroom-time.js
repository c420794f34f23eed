/* Pressroom: keep a built page true as it ages (progressive enhancement).
   The page is complete without this script; it was built as of one moment. When a reader
   opens it later, events that have ended since move from Upcoming to Past (or leave a list
   of upcoming events), and labels that have expired since read as held in the past. */
(function () {
  "use strict";

  function moment(text) {
    var value = Date.parse(text || "");
    return isNaN(value) ? null : value;
  }

  function passed(element, attribute, now) {
    var value = moment(element.getAttribute(attribute));
    return value !== null && value <= now;
  }

  /* Put item into list, which is ordered by `attribute`, latest first. */
  function insertLatestFirst(list, item, attribute) {
    var value = moment(item.getAttribute(attribute));
    var children = list.children;
    for (var i = 0; i < children.length; i++) {
      var other = moment(children[i].getAttribute(attribute));
      if (other !== null && value !== null && other < value) {
        list.insertBefore(item, children[i]);
        return;
      }
    }
    list.appendChild(item);
  }

  /* Show each list's "none" note exactly when the list is empty. */
  function updateEmptyNotes(kind) {
    document.querySelectorAll("[data-" + kind + "-empty]").forEach(function (note) {
      var name = note.getAttribute("data-" + kind + "-empty");
      var list = note.parentNode.querySelector("[data-" + kind + '="' + name + '"]');
      note.hidden = Boolean(list && list.children.length);
    });
  }

  /* Move the items of `from` lists whose `attribute` moment has passed into the `to`
     list of the page (latest first by `order`), or drop them where the page has none. */
  function moveDone(kind, from, to, attribute, order, now) {
    var target = document.querySelector("[data-" + kind + '="' + to + '"]');
    document.querySelectorAll("[data-" + kind + '="' + from + '"]').forEach(function (list) {
      Array.prototype.slice.call(list.children).forEach(function (item) {
        if (!passed(item, attribute, now)) return;
        if (target) insertLatestFirst(target, item, order);
        else item.remove();
      });
    });
    updateEmptyNotes(kind);
  }

  /* Labels past their expiry say so: "Bronze label 2024–2026". */
  function expireTexts(now) {
    document.querySelectorAll("[data-expires]").forEach(function (element) {
      if (!passed(element, "data-expires", now)) return;
      element.classList.add("expired");
      var text = element.getAttribute("data-expired-text");
      if (text !== null) element.textContent = text;
    });
  }

  function update() {
    var now = Date.now();
    moveDone("events", "upcoming", "past", "data-ends", "data-start", now);
    expireTexts(now);
    moveDone("labels", "current", "expired", "data-expires", "data-expires", now);
  }

  update();
  /* A page left open keeps up too: check again every minute. */
  window.setInterval(update, 60 * 1000);
})();
