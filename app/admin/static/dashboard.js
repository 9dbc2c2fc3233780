// Sokoni console dashboard: draws the charts from the JSON the page embeds.
// Chart.js is served by Sokoni itself (static/vendor/chartjs, MIT licence alongside).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#2f7ed8", "#e4572e", "#17bebb", "#ffc914", "#76b041", "#7e52a0", "#f08a4b", "#4b5d67"];
  Chart.defaults.animation = false; // figures, not a show; and the browser tests read the canvas at once

  function markDrawn(canvas) {
    canvas.setAttribute("data-rendered", "true");
  }

  var sales = document.getElementById("sales-chart");
  if (sales && data.sales) {
    var currencies = Object.keys(data.sales.revenue);
    // Amounts in different currencies never share an axis: the shop's currency is shown
    // first (or the first one sold), the others are a legend click away.
    var shown = currencies.indexOf(data.default_currency) >= 0 ? data.default_currency : currencies[0];
    var datasets = currencies.map(function (currency, i) {
      return {
        hidden: currency !== shown,
        type: "line",
        label: "Revenue " + currency,
        data: data.sales.revenue[currency],
        borderColor: palette[i % palette.length],
        backgroundColor: palette[i % palette.length],
        yAxisID: "revenue",
        tension: 0.2
      };
    });
    datasets.push({
      type: "bar",
      label: "Orders",
      data: data.sales.orders,
      backgroundColor: "rgba(108, 117, 125, 0.35)",
      yAxisID: "orders"
    });
    new Chart(sales, {
      data: { labels: data.sales.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        scales: {
          revenue: { type: "linear", position: "left", beginAtZero: true, title: { display: true, text: "Revenue (click a currency to show it)" } },
          orders: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 } }
        }
      }
    });
    markDrawn(sales);
  }

  var mix = document.getElementById("payment-mix-chart");
  if (mix && data.payment_mix) {
    new Chart(mix, {
      type: "doughnut",
      data: {
        labels: data.payment_mix.labels,
        datasets: [{ data: data.payment_mix.counts, backgroundColor: palette }]
      },
      options: { maintainAspectRatio: false }
    });
    markDrawn(mix);
  }
})();
