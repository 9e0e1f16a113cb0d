// A live character count under the post's text, as X counts it (weighted: letters up to U+10FF,
// Devanagari included, count 1; other characters and emoji 2; each link 23). The page's preview,
// computed on the server, is the authority; this is a guide while typing.
(function () {
  "use strict";
  var LINK = /https?:\/\/\S+/g;
  var EMOJI = /\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)*|\p{Regional_Indicator}{2}/gu;

  function weight(codePoint) {
    if (codePoint <= 0x10ff) return 1;
    if ((codePoint >= 0x2000 && codePoint <= 0x200d) || (codePoint >= 0x2010 && codePoint <= 0x201f) ||
        (codePoint >= 0x2032 && codePoint <= 0x2037)) return 1;
    return 2;
  }

  function weightedLength(text) {
    text = text.normalize("NFC");
    var count = 0;
    text = text.replace(LINK, function () { count += 23; return ""; });
    text = text.replace(EMOJI, function () { count += 2; return ""; });
    for (var char of text) count += weight(char.codePointAt(0));
    return count;
  }

  document.querySelectorAll("textarea[data-weighted-count]").forEach(function (area) {
    var max = parseInt(area.dataset.weightedCount, 10);
    var out = document.querySelector('[data-count-for="' + area.id + '"]');
    if (!out) {
      out = document.createElement("div");
      out.className = "small text-body-secondary mt-1";
      out.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", out);
    }
    function update() {
      var n = weightedLength(area.value);
      out.textContent = "X: " + n + "/" + max;
      out.classList.toggle("text-danger", n > max);
    }
    area.addEventListener("input", update);
    update();
  });
})();
