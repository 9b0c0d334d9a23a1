"""The learner's code runs here. The zygote (gradlab.sandbox.zygote, started by gradlab.sandbox.zygote_client) forks
a template process per exercise request, which loads the learner's files once and forks an isolated copy of itself
per check (gradlab.sandbox.learner, driven from the worker by gradlab.sandbox.template); the grader talks to each
copy through gradlab.sandbox.process.ProcessSandbox. gradlab.sandbox.forking holds what every forking process
shares; gradlab.system the operating system's calls."""
