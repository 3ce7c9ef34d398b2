// The race view's plotly.js: the core (scatter included) and the two traces the race draws its surface with.
// Every figure drawn with it (race, loss, distance and the registry's series) uses only these three types.
var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/heatmap'), require('plotly.js/lib/contour')]);

module.exports = Plotly;
