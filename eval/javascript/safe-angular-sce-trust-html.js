angular.module("helpdesk").controller("TicketPreviewCtrl", function ($scope, $sce, $sanitize, $routeParams, tickets) {
  $scope.banner = $sce.trustAsHtml("<strong>Read-only preview</strong>");
  tickets.get($routeParams.id).then(function (ticket) {
    $scope.subject = ticket.subject;
    $scope.body = $sanitize(ticket.bodyHtml);
  });
});
