/**
 * Port: the files of any source repo the deploy repo records (`apis/<owner>/<repo>/.source.yaml`), at the commit
 * recorded there, through the App's installation on that repo. The governance check of a deploy-repo PR reads
 * each deployed API through it.
 * @module
 */
import type { Job } from '../core/jobs.js';
import type { RepoRef } from '../core/repo-ref.js';
import type { FileSource } from './file-source.js';

export interface DeployedSources {
  /**
   * The repo's files at `sha`; rejects when the App cannot read the repo (not installed there, gone). `asker`:
   * the job that asks, whose own installation of the App also covers a repo of its account (no lookup then).
   */
  files(repo: RepoRef, sha: string, asker?: Pick<Job, 'installationId' | 'repository'>): Promise<FileSource>;
}
