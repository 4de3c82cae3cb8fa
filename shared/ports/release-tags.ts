/**
 * Port: a source repo's tags, to promote only the commit a release tag names now (a tag deleted or moved since
 * its push promotes nothing from that push).
 * @module
 */
export interface ReleaseTags {
  /** The commit the tag names now (an annotated tag's target commit); undefined when there is no such tag. */
  commitOfTag(tag: string): Promise<string | undefined>;
}
