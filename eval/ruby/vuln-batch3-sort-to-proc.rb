# corgi-expect: ruby-unsafe-reflection-to-proc
class LeaderboardController < ApplicationController
  def index
    players = Player.active.to_a
    @ranked = players.sort_by(&params[:by].to_sym)
  end
end
