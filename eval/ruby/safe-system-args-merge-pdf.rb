class PdfMerger
  def initialize(files, target)
    @files = files
    @target = target
  end

  def call
    system("pdftk", *@files, "cat", "output", @target, exception: true)
  end
end
