class ThumbnailJob < ApplicationJob
  queue_as :media

  def perform(video_id)
    video = Video.find(video_id)
    output = `ffmpeg -y -i #{video.original_filename} -ss 00:00:01 -vframes 1 /tmp/thumb-#{video.id}.jpg 2>&1`
    video.update!(thumbnail_log: output)
  end
end
