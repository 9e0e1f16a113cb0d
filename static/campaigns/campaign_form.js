// The campaign form: the units list shows the scope's units (a district's offices, preselected when the
// district is chosen); "Add a target" adds a row to the targets formset. Without script the form still
// works: the server checks the units against the scope and takes a district's offices when none is chosen.
(function () {
  "use strict";
  var box = document.querySelector("[data-campaign-units]");
  if (box) {
    var scope = box.querySelector("select[name=scope]");
    var district = box.querySelector("select[name=district]");
    var units = box.querySelector("select[name=units]");
    var districtRow = box.querySelector("[data-district-row]");
    var kinds = {
      districts: ["district"],
      departments: ["state_department", "state_undertaking"],
      district_offices: ["district_office"],
      state: []
    };
    var shows = function (option) {
      var wanted = kinds[scope.value] || [];
      if (wanted.indexOf(option.dataset.kind) < 0) return false;
      return scope.value !== "district_offices" || option.dataset.district === district.value;
    };
    var refresh = function (preselect) {
      districtRow.hidden = scope.value !== "district_offices";
      units.disabled = scope.value === "state";
      Array.prototype.forEach.call(units.options, function (option) {
        var visible = shows(option);
        option.hidden = !visible;
        if (!visible) option.selected = false;
        else if (preselect) option.selected = true;
      });
    };
    scope.addEventListener("change", function () { refresh(false); });
    district.addEventListener("change", function () { refresh(true); });
    refresh(false);
  }

  var add = document.querySelector("[data-add-target]");
  if (add) {
    add.addEventListener("click", function () {
      var total = document.querySelector("input[name=targets-TOTAL_FORMS]");
      var template = document.querySelector("template[data-empty-target]");
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      document.querySelector("[data-target-rows]").insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  }
})();
