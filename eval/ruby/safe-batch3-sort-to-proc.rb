class LeaderboardController < ApplicationController
  SORT_KEYS = { "score" => :score, "wins" => :wins }.freeze

  def index
    players = Player.active.to_a
    @ranked = players.sort_by(&SORT_KEYS.fetch(params[:by], :score))
  end
end
