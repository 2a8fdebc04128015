/* Accessible names for the markup Django admin's own scripts build (Django 5.2). The markup Django
   renders on the server is mended by the templates in templates/admin/ instead. Drop a mend when
   Django ships the fix. */
(function () {
  "use strict";

  // filter_horizontal (SelectFilter2.js) names its search boxes with aria-label on a bare <span>,
  // which has no role that may carry a name: make it an image, so the label reads as intended.
  function nameFilterIcons() {
    document.querySelectorAll("span.search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  // autocomplete_fields (select2) name their combobox, and the value box inside it, by the chosen
  // value only, so an empty one has no name at all: name them by the field's label (then the value).
  function nameAutocompletes() {
    document.querySelectorAll("select.admin-autocomplete[id]").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var value = document.getElementById("select2-" + select.id + "-container");
      var box = value && value.closest(".select2-selection[role=combobox]");
      if (!label || !box) return;
      label.id = label.id || select.id + "_label";
      box.setAttribute("aria-labelledby", label.id + " " + value.id);
      value.setAttribute("aria-labelledby", label.id);
    });
  }

  if (window.SelectFilter) {
    var init = window.SelectFilter.init;
    window.SelectFilter.init = function () {
      init.apply(this, arguments);
      nameFilterIcons();
    };
  }
  if (window.django && window.django.jQuery) {
    window.django.jQuery(nameAutocompletes);  // after admin/js/autocomplete.js has built them
    document.addEventListener("formset:added", function () { window.setTimeout(nameAutocompletes); });
  }
})();
