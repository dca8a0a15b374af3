/* People picker: turns <select data-people-picker data-search-url="..."> into a box where a
   person is found by typing part of a first or last name (the server's /people/search/ answers,
   so the page never lists every person to search them). The select stays in the form, hidden,
   and is what is submitted: without this script it is an ordinary select and still works.
   A multiple select shows the chosen people as chips, each with a button that removes it.
   `data-value-field="username"` submits usernames (the list's filters) instead of ids.
   No inline script anywhere: the Content-Security-Policy forbids it. */
(function () {
  "use strict";

  var DELAY_MS = 200;
  var counter = 0;

  function labelFor(select) {
    return document.querySelector('label[for="' + select.id + '"]');
  }

  function optionFor(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return select.options[i];
    }
    return null;
  }

  function enhance(select) {
    var multiple = select.multiple;
    var url = select.getAttribute("data-search-url");
    var valueField = select.getAttribute("data-value-field") || "id";
    var id = select.id || "people-picker-" + ++counter;
    var wrapper = document.createElement("div");
    wrapper.className = "picker";
    var chips = document.createElement("ul");
    chips.className = "picker-chips";
    chips.setAttribute("aria-label", "Chosen");
    var input = document.createElement("input");
    input.type = "text";
    input.id = id + "_search";
    input.className = "picker-input";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "_options");
    input.placeholder = "Type a first or last name";
    var describedBy = select.getAttribute("aria-describedby");
    if (describedBy) input.setAttribute("aria-describedby", describedBy);
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    var list = document.createElement("ul");
    list.id = id + "_options";
    list.className = "picker-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");

    var label = labelFor(select);
    if (label) {
      label.htmlFor = input.id;
      if (!label.id) label.id = id + "_label";
      list.setAttribute("aria-labelledby", label.id);
    }
    select.hidden = true;
    select.tabIndex = -1;
    select.parentNode.insertBefore(wrapper, select);
    if (multiple) wrapper.appendChild(chips);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(status);
    wrapper.appendChild(select);

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function selectedLabel() {
      var option = select.options[select.selectedIndex];
      return option && option.value ? option.text : "";
    }

    function drawChips() {
      if (!multiple) return;
      chips.textContent = "";
      for (var i = 0; i < select.options.length; i++) {
        var option = select.options[i];
        if (!option.selected) continue;
        var chip = document.createElement("li");
        chip.className = "chip";
        chip.appendChild(document.createTextNode(option.text + " "));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip-remove";
        remove.setAttribute("aria-label", "Remove " + option.text);
        remove.textContent = "×";
        remove.addEventListener("click", unselect.bind(null, option));
        chip.appendChild(remove);
        chips.appendChild(chip);
      }
    }

    function unselect(option) {
      option.selected = false;
      drawChips();
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(person) {
      var value = String(person[valueField]);
      var option = optionFor(select, value);
      if (!option) {
        option = new Option(person.label, value);
        select.appendChild(option);
      }
      option.selected = true;
      close();
      if (multiple) {
        input.value = "";
        drawChips();
      } else {
        input.value = option.text;
      }
      status.textContent = option.text + " chosen.";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(people) {
      results = people;
      list.textContent = "";
      if (!people.length) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = "Nobody found. Try a first or last name.";
        list.appendChild(none);
      }
      people.forEach(function (person, i) {
        var item = document.createElement("li");
        item.id = id + "_option_" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = person.label;
        // mousedown, not click: it comes before the input's blur closes the list.
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(person);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      status.textContent =
        people.length === 1 ? "1 person found." : people.length + " people found.";
    }

    function search() {
      var query = input.value.trim();
      if (!query) {
        close();
        return;
      }
      var ticket = ++asked;
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          if (ticket === asked) show(data.results);
        })
        .catch(function () {
          status.textContent = "The search did not answer; try again.";
        });
    }

    input.addEventListener("input", function () {
      if (!multiple && !input.value.trim()) {
        // Emptying the box of a single choice clears the choice.
        select.value = "";
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) search();
        else highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault(); // choosing a person does not submit the form
        choose(results[active]);
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Backspace" && multiple && !input.value) {
        var chosen = select.selectedOptions;
        if (chosen.length) unselect(chosen[chosen.length - 1]);
      }
    });
    input.addEventListener("blur", function () {
      close();
      // A single choice shows the person chosen, not a half-typed name.
      if (!multiple) input.value = selectedLabel();
    });

    if (multiple) drawChips();
    else input.value = selectedLabel();
  }

  function start() {
    var selects = document.querySelectorAll("select[data-people-picker]");
    for (var i = 0; i < selects.length; i++) enhance(selects[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
