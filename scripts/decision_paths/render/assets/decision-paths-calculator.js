/* Decision Paths: the in-page date calculator.
 * Mirrors timeline.py exactly (SPEC section 8), from data exported at build
 * time; a test compares both on many start instants across holidays.
 * Instants are UTC milliseconds; local times are "wall-clock milliseconds"
 * (Date.UTC of the local fields), turned into instants with the calendar's
 * exported UTC offsets the way Python does (fold=0: when clocks go back the
 * first occurrence, in a gap the offset from before it). */
(function () {
  "use strict";
  var DAY = 86400000, HOUR = 3600000;

  function parseTime(text) {
    var p = text.split(":");
    return (+p[0]) * HOUR + (+p[1]) * 60000 + (+(p[2] || 0)) * 1000;
  }

  function Calendar(data) {
    this.data = data;
    var f = data.from.split("-");
    this.first = Date.UTC(+f[0], +f[1] - 1, +f[2]);
    this.opens = parseTime(data.opens);
    this.closes = parseTime(data.closes);
    this.outside = false;
  }
  Calendar.prototype.isWorkingDay = function (wallDay) {
    var index = Math.round((wallDay - this.first) / DAY);
    if (index >= 0 && index < this.data.days.length) return this.data.days.charAt(index) === "1";
    this.outside = true; /* beyond the exported years: weekdays only */
    var weekday = (new Date(wallDay).getUTCDay() + 6) % 7; /* 0 = Monday, as Python */
    return this.data.workdays.indexOf(weekday) !== -1;
  };
  Calendar.prototype.offsetAt = function (utc) {
    var list = this.data.offsets, found = list[0][1];
    for (var i = 0; i < list.length && list[i][0] <= utc; i++) found = list[i][1];
    return found * 60000;
  };
  Calendar.prototype.toWall = function (utc) { return utc + this.offsetAt(utc); };
  /* When a desk opens or closes at a wall time: a time the clocks skip is the moment
   * they jump, as BusinessCalendar.boundary in Python. */
  Calendar.prototype.boundary = function (wall) {
    var utc = this.toUtc(wall);
    if (this.toWall(utc) === wall) return utc;
    var list = this.data.offsets, jump = list[0][0];
    for (var i = 0; i < list.length && list[i][0] <= utc; i++) jump = list[i][0];
    return jump;
  };
  Calendar.prototype.toUtc = function (wall) {
    var before = this.offsetAt(wall - DAY), after = this.offsetAt(wall + DAY);
    if (before === after) return wall - before;
    var early = wall - before, late = wall - after;
    if (this.offsetAt(early) === before || this.offsetAt(late) !== after) return early;
    return late;
  };

  function dayOf(wall) { return Math.floor(wall / DAY) * DAY; }

  /* When a stage received at the instant `received` is due, as an instant. The data
   * gives the kind of counting (units.py's Kind) and the amount in it, never a unit name. */
  function due(stage, received, cal) {
    var amount = stage.duration.amount, kind = stage.duration.kind;
    switch (kind) {
      case "clock hours": return received + Math.round(amount * HOUR);
      case "business hours": return dueBusinessHours(amount, received, cal);
      case "calendar days":
        return cal.toUtc(dayOf(cal.toWall(received)) + amount * DAY + 23 * HOUR + 59 * 60000 + 59000);
      case "business days": return cal.toUtc(dueBusinessDays(amount, cal.toWall(received), cal));
      default: /* a kind this calculator cannot count: say so, never guess */
        throw new Error("the calculator cannot count durations of kind '" + kind + "'");
    }
  }

  /* Elapsed working time inside business hours, counted in real instants, so the
   * day the clocks change has its real 23 or 25 hours, as timeline.py counts them. */
  function dueBusinessHours(hours, received, cal) {
    var remaining = Math.round(hours * HOUR), moment = received;
    var day = dayOf(cal.toWall(received));
    for (var k = 0; k < 3660; k++) {
      if (cal.isWorkingDay(day)) {
        var opens = cal.boundary(day + cal.opens), closes = cal.boundary(day + cal.closes);
        if (moment < opens) moment = opens;
        if (moment < closes) {
          if (remaining <= closes - moment) return moment + remaining;
          remaining -= closes - moment;
        }
      }
      day += DAY;
    }
    throw new Error("no working days");
  }

  /* Closing time of the Nth working day after the received date, as a wall time. */
  function dueBusinessDays(days, receivedWall, cal) {
    var day = dayOf(receivedWall), found = 0;
    for (var n = 0; n < 3660 * Math.max(days, 1); n++) {
      day += DAY;
      if (cal.isWorkingDay(day) && ++found === days) return day + cal.closes;
    }
    throw new Error("no working days");
  }

  function holds(condition, value) {
    if (condition.comparisons) {
      return condition.comparisons.every(function (c) {
        switch (c[0]) {
          case ">": return value > c[1];
          case ">=": return value >= c[1];
          case "<": return value < c[1];
          case "<=": return value <= c[1];
          default: return value === c[1];
        }
      });
    }
    if (condition.options) return condition.options.indexOf(value) !== -1;
    return value === condition.value;
  }

  function branchTaken(stage, values) {
    var undecided = [];
    for (var i = 0; i < stage.branches.length; i++) {
      var b = stage.branches[i];
      if (b.otherwise) continue;
      var known = b.conditions.filter(function (c) { return values.hasOwnProperty(c.input); });
      if (known.some(function (c) { return !holds(c, values[c.input]); })) continue;
      if (known.length === b.conditions.length) return b;
      undecided.push(b);
    }
    var otherwise = stage.branches.filter(function (b) { return b.otherwise; })[0];
    var possible = undecided.concat(otherwise ? [otherwise] : []);
    var targets = possible.map(function (b) { return b.go; }).filter(function (g, i, all) { return all.indexOf(g) === i; });
    if (undecided.length && targets.length > 1) {
      var missing = undecided[0].conditions.filter(function (c) { return !values.hasOwnProperty(c.input); })[0];
      return { missing: missing.input };
    }
    return possible[0] || { missing: null };
  }

  /* The timeline for a start instant (UTC ms) and input values:
   * {stages: [{id, title, within, received, due}], due} or {missing: inputId}. */
  function compute(decision, calendarData, start, values) {
    var cal = new Calendar(calendarData), stages = [], id = decision.start, received = start, answer = null;
    for (var guard = 0; id && guard < 1000; guard++) {
      var stage = decision.stages[id], dueAt = due(stage, received, cal);
      stages.push({ id: id, title: stage.title, within: stage.within, received: received, due: dueAt });
      if (id === decision.answer) answer = stages[stages.length - 1];
      received = dueAt;
      if (stage.next) { id = stage.next; continue; }
      if (!stage.branches.length) break;
      var taken = branchTaken(stage, values);
      if (taken.missing !== undefined) return { missing: taken.missing, stages: stages };
      id = taken.go;
    }
    /* The promised answer: the `answer` stage when the path passes it, else the last stage
     * (Timeline.answer in Python); later stages keep their own dates. */
    answer = answer || stages[stages.length - 1];
    return { stages: stages, due: answer.due, answer: answer, outside: cal.outside, calendar: cal };
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(utc, cal) {
    var wall = cal.toWall(utc), d = new Date(wall), offset = cal.offsetAt(utc) / 60000;
    var sign = offset < 0 ? "-" : "+", abs = Math.abs(offset);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + "T" +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) +
      sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }
  function shown(utc, cal) {
    var d = new Date(cal.toWall(utc));
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  /* For tests and tools: the same JSON shape as `decision-paths timeline --format json`. */
  function timelineJson(data, startIso, values) {
    var cal = new Calendar(data.calendar), m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:\d{2})?$/.exec(startIso);
    var fields = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0)), start;
    if (m[7]) {
      var off = m[7] === "Z" ? 0 : (m[7][0] === "-" ? -1 : 1) * (+m[7].slice(1, 3) * 60 + +m[7].slice(4, 6));
      start = fields - off * 60000;
    } else {
      start = cal.toUtc(fields);
    }
    var result = compute(data.decision, data.calendar, start, values);
    if (result.missing !== undefined) return { missing: result.missing };
    return {
      decision: data.decision.id, start: iso(start, cal),
      stages: result.stages.map(function (s) {
        return { id: s.id, received: iso(s.received, cal), due: iso(s.due, cal) };
      }),
      due: iso(result.due, cal)
    };
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  /* The start a reader typed, kept as an instant while they move between decisions
   * (which may count in other time zones); sessionStorage dies with the tab. */
  var KEPT = "decision-paths-start";
  function keptStart() {
    try { var v = window.sessionStorage.getItem(KEPT); return v && isFinite(+v) ? +v : null; } catch (e) { return null; }
  }
  function keepStart(utc) {
    try { window.sessionStorage.setItem(KEPT, String(utc)); } catch (e) { /* private mode: nothing kept */ }
  }
  /* "YYYY-MM-DD HH:MM" (or with a T) as wall-clock milliseconds, or null. */
  function parseWall(text) {
    var m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2}))?\s*$/.exec(text);
    if (!m || +m[2] < 1 || +m[2] > 12 || +m[3] < 1 || +m[3] > 31 || +(m[4] || 0) > 23) return null;
    var wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0));
    return new Date(wall).getUTCDate() === +m[3] ? wall : null;
  }

  function setUp(root) {
    if (root.dataset.dpReady) return;
    root.dataset.dpReady = "1";
    var data = JSON.parse(document.getElementById("dp-calculator-data-" + root.dataset.dpCalculator).textContent);
    var form = root.querySelector("form"), out = root.querySelector(".dp-result"), words = data.words;
    var startField = form.querySelector("[name=dp-start]"), cal = new Calendar(data.calendar);
    /* Now in the calendar's zone, or the start the reader gave on another decision. */
    var kept = keptStart();
    startField.value = shown(kept !== null ? kept : Date.now(), cal);
    function values() {
      var found = {};
      root.querySelectorAll("[data-dp-input]").forEach(function (el) {
        var id = el.dataset.dpInput, input = data.decision.inputs[id], v = el.value;
        if (v === "") return;
        if (input.type === "number") { if (isFinite(+v)) found[id] = +v; }
        else if (input.type === "yes-no") found[id] = v === "yes";
        else found[id] = v;
      });
      return found;
    }
    function unpublished(result) {
      for (var i = 0; i < result.stages.length; i++) {
        var year = new Date(result.calendar.toWall(result.stages[i].due)).getUTCFullYear();
        if (data.calendar.unpublished.indexOf(year) !== -1) return year;
      }
      return null;
    }
    function update(event) {
      var wall = parseWall(startField.value);
      if (wall === null) {
        out.innerHTML = "<p class=\"dp-missing\">" + escapeHtml(words.invalid_start.replace("{example}", shown(Date.now(), cal))) + "</p>";
        return;
      }
      var start = cal.toUtc(wall);
      if (event && event.target === startField) keepStart(start);
      var result = compute(data.decision, data.calendar, start, values());
      var needed = {};
      Object.keys(values()).forEach(function (k) { needed[k] = true; });
      if (result.missing) needed[result.missing] = true;
      root.querySelectorAll("[data-dp-field]").forEach(function (el) {
        el.hidden = !needed[el.dataset.dpField];
      });
      if (result.missing !== undefined) {
        var input = data.decision.inputs[result.missing];
        out.innerHTML = "<p class=\"dp-missing\">" + escapeHtml(words.missing_input.replace("{label}", input ? input.label : "")) + "</p>";
        return;
      }
      var rows = result.stages.map(function (s) {
        var mark = s === result.answer && result.answer !== result.stages[result.stages.length - 1] ? " class=\"dp-answer-row\"" : "";
        return "<tr" + mark + "><td>" + escapeHtml(s.title) + "</td><td>" + escapeHtml(s.within) + "</td><td>" + shown(s.due, result.calendar) + "</td></tr>";
      }).join("");
      var lead = words.answer_lead.replace("{when}", shown(result.due, result.calendar))
        .replace("{zone}", data.zone).replace("{stage}", result.answer.title);
      var year = unpublished(result);
      out.innerHTML = "<p class=\"dp-answer\"><strong>" + escapeHtml(lead) + "</strong></p>" +
        (year !== null ? "<p class=\"dp-caveat\">" + escapeHtml(words.unpublished_year.replace("{year}", year)) + "</p>" : "") +
        "<table><tbody>" + rows + "</tbody></table>" +
        (result.outside ? "<p class=\"dp-caveat\">" + escapeHtml(words.outside_calendar) + "</p>" : "");
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); update(event); });
    update();
  }

  window.DecisionPaths = { compute: compute, timelineJson: timelineJson };
  function setUpAll() { document.querySelectorAll("[data-dp-calculator]").forEach(setUp); }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setUpAll);
  else document.addEventListener("DOMContentLoaded", setUpAll);
})();
