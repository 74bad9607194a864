// Nothing to do yet: the check is in the post step (post.mjs), once the job's steps are done.
console.log('The uploads are checked when the job ends.');
