require "open3"

class ThumbnailJob < ApplicationJob
  queue_as :media

  def perform(video_id)
    video = Video.find(video_id)
    output, _status = Open3.capture2e("ffmpeg", "-y", "-i", video.stored_path, "-ss", "00:00:01",
                                      "-vframes", "1", "/tmp/thumb-#{video.id}.jpg")
    video.update!(thumbnail_log: output)
  end
end
