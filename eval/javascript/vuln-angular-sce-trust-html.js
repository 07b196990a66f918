// corgi-expect: js-angular-sce-trust-as
angular.module("helpdesk").controller("TicketPreviewCtrl", function ($scope, $sce, $routeParams, tickets) {
  tickets.get($routeParams.id).then(function (ticket) {
    $scope.subject = ticket.subject;
    $scope.body = $sce.trustAsHtml(ticket.bodyHtml);
  });
});
