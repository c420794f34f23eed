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

  /* Move ended events from an Upcoming list to the Past list beside it (or drop them). */
  function moveEndedEvents(now) {
    document.querySelectorAll('[data-events="upcoming"]').forEach(function (upcoming) {
      var past = document.querySelector('[data-events="past"]');
      Array.prototype.slice.call(upcoming.children).forEach(function (item) {
        if (!passed(item, "data-ends", now)) return;
        if (past) insertLatestFirst(past, item, "data-start");
        else item.remove();
      });
    });
    updateEmptyNotes("events");
  }

  /* Labels past their expiry: their text says so, and they move to the expired list. */
  function expireLabels(now) {
    document.querySelectorAll("[data-expires]").forEach(function (element) {
      if (!passed(element, "data-expires", now)) return;
      element.classList.add("expired");
      var text = element.getAttribute("data-expired-text");
      if (text !== null) element.textContent = text;
    });
    document.querySelectorAll('[data-labels="current"]').forEach(function (current) {
      var expired = document.querySelector('[data-labels="expired"]');
      Array.prototype.slice.call(current.children).forEach(function (item) {
        if (!passed(item, "data-expires", now)) return;
        if (expired) insertLatestFirst(expired, item, "data-expires");
        else item.remove();
      });
    });
    updateEmptyNotes("labels");
  }

  function update() {
    var now = Date.now();
    moveEndedEvents(now);
    expireLabels(now);
  }

  update();
  /* A page left open keeps up too: check again every minute. */
  window.setInterval(update, 60 * 1000);
})();
