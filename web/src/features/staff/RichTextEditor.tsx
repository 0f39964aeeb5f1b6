import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import Image from '@tiptap/extension-image';
import { useEffect, useRef, useState } from 'react';
import { adminApi } from '../../api/admin';
import { useToast } from '../../components/Toast';
import { errorText } from '../../components/ui';
import { useT } from '../../i18n/i18n';

interface RichTextEditorProps {
  id: string;
  label: string;
  value: string;
  onChange: (html: string) => void;
}

function imageFiles(list: FileList | null | undefined): File[] {
  return Array.from(list ?? []).filter((file) => file.type.startsWith('image/'));
}

function dataUrlToFile(dataUrl: string, index: number): File | null {
  const match = /^data:(image\/[\w.+-]+);base64,(.*)$/s.exec(dataUrl);
  if (!match) return null;
  const bytes = Uint8Array.from(atob(match[2]!.replace(/\s/g, '')), (c) => c.charCodeAt(0));
  const ext = match[1]!.split('/')[1]!.replace('jpeg', 'jpg').replace('svg+xml', 'svg');
  return new File([bytes], `pasted-${index}.${ext}`, { type: match[1] });
}

/**
 * The question editor. Images — picked, pasted or dropped — are uploaded to the server and
 * inserted by URL; a base64 image never enters the HTML (the server would refuse it, and it
 * would bloat every student's download).
 */
export function RichTextEditor({ id, label, value, onChange }: RichTextEditorProps) {
  const t = useT();
  const toast = useToast();
  const [uploading, setUploading] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const editorRef = useRef<Editor | null>(null);

  const upload = async (files: File[], at?: number) => {
    const editor = editorRef.current;
    if (!editor || files.length === 0) return;
    setUploading((n) => n + files.length);
    let position = at;
    for (const file of files) {
      try {
        const { url } = await adminApi.uploadImage(file);
        const node = { type: 'image', attrs: { src: url, alt: file.name.replace(/\.[^.]+$/, '') } };
        if (position !== undefined) {
          editor.chain().focus().insertContentAt(position, node).run();
          position += 1;
        } else {
          editor.chain().focus().insertContent(node).run();
        }
      } catch (err) {
        toast.show(`${t('editor.uploadFailed')}: ${errorText(t, err)}`, 'danger', 7_000);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };
  const uploadRef = useRef(upload);
  uploadRef.current = upload;

  const editor = useEditor({
    extensions: [
      StarterKit.configure({
        heading: { levels: [3, 4] },
        codeBlock: false,
        link: { openOnClick: false },
      }),
      Image.configure({ allowBase64: false, inline: false }),
    ],
    content: value,
    onUpdate: ({ editor: e }) => onChange(e.isEmpty ? '' : e.getHTML()),
    editorProps: {
      attributes: {
        id,
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-label': label,
        class: 'rte__content rich',
      },
      handlePaste: (_view, event) => {
        const files = imageFiles(event.clipboardData?.files);
        if (files.length === 0) return false;
        event.preventDefault();
        void uploadRef.current(files);
        return true;
      },
      handleDrop: (view, event, _slice, moved) => {
        if (moved) return false;
        const files = imageFiles(event.dataTransfer?.files);
        if (files.length === 0) return false;
        event.preventDefault();
        const pos = view.posAtCoords({ left: event.clientX, top: event.clientY })?.pos;
        void uploadRef.current(files, pos);
        return true;
      },
      // HTML pasted from a word processor may carry images inline as data: URLs: upload
      // them and keep only the text in the paste itself.
      transformPastedHTML: (html) => {
        if (!html.includes('data:image')) return html;
        const doc = new DOMParser().parseFromString(html, 'text/html');
        const files: File[] = [];
        doc.querySelectorAll('img').forEach((img, i) => {
          const src = img.getAttribute('src') ?? '';
          if (!src.startsWith('data:')) return;
          const file = dataUrlToFile(src, i);
          if (file) files.push(file);
          img.remove();
        });
        if (files.length) window.setTimeout(() => void uploadRef.current(files), 0);
        return doc.body.innerHTML;
      },
    },
  });
  editorRef.current = editor;

  // Follow a value loaded after mount (editing an existing question).
  useEffect(() => {
    if (!editor || editor.isFocused) return;
    const current = editor.isEmpty ? '' : editor.getHTML();
    if (value !== current) editor.commands.setContent(value || '', { emitUpdate: false });
  }, [editor, value]);

  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e?.isActive('bold') ?? false,
      italic: e?.isActive('italic') ?? false,
      underline: e?.isActive('underline') ?? false,
      bullet: e?.isActive('bulletList') ?? false,
      ordered: e?.isActive('orderedList') ?? false,
      heading: e?.isActive('heading', { level: 3 }) ?? false,
      canUndo: e?.can().undo() ?? false,
      canRedo: e?.can().redo() ?? false,
    }),
  });

  const tools: {
    key: string;
    label: string;
    pressed?: boolean;
    disabled?: boolean;
    run: () => void;
    icon: string;
  }[] = editor
    ? [
        {
          key: 'bold',
          label: t('editor.bold'),
          pressed: active?.bold,
          run: () => editor.chain().focus().toggleBold().run(),
          icon: 'B',
        },
        {
          key: 'italic',
          label: t('editor.italic'),
          pressed: active?.italic,
          run: () => editor.chain().focus().toggleItalic().run(),
          icon: 'I',
        },
        {
          key: 'underline',
          label: t('editor.underline'),
          pressed: active?.underline,
          run: () => editor.chain().focus().toggleUnderline().run(),
          icon: 'U',
        },
        {
          key: 'heading',
          label: t('editor.heading'),
          pressed: active?.heading,
          run: () => editor.chain().focus().toggleHeading({ level: 3 }).run(),
          icon: 'H',
        },
        {
          key: 'bullet',
          label: t('editor.bulletList'),
          pressed: active?.bullet,
          run: () => editor.chain().focus().toggleBulletList().run(),
          icon: '•',
        },
        {
          key: 'ordered',
          label: t('editor.orderedList'),
          pressed: active?.ordered,
          run: () => editor.chain().focus().toggleOrderedList().run(),
          icon: '1.',
        },
        {
          key: 'undo',
          label: t('editor.undo'),
          disabled: !active?.canUndo,
          run: () => editor.chain().focus().undo().run(),
          icon: '↶',
        },
        {
          key: 'redo',
          label: t('editor.redo'),
          disabled: !active?.canRedo,
          run: () => editor.chain().focus().redo().run(),
          icon: '↷',
        },
      ]
    : [];

  return (
    <div className="rte">
      <div
        className="rte__toolbar"
        role="toolbar"
        aria-label={t('editor.toolbar')}
        aria-controls={id}
      >
        {tools.map((tool) => (
          <button
            key={tool.key}
            type="button"
            className={`rte__btn rte__btn--${tool.key}`}
            aria-label={tool.label}
            title={tool.label}
            aria-pressed={tool.pressed === undefined ? undefined : tool.pressed}
            disabled={tool.disabled}
            onMouseDown={(e) => e.preventDefault()}
            onClick={tool.run}
          >
            {tool.icon}
          </button>
        ))}
        <span className="rte__sep" aria-hidden="true" />
        <button
          type="button"
          className="rte__btn rte__btn--wide"
          aria-label={t('editor.insertImage')}
          onClick={() => fileInput.current?.click()}
        >
          <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
            <rect
              x="3"
              y="4"
              width="18"
              height="16"
              rx="2"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
            />
            <circle cx="9" cy="10" r="2" fill="currentColor" />
            <path
              d="M4 18l5-5 4 4 3-3 4 4"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinejoin="round"
            />
          </svg>
          <span>{t('editor.image')}</span>
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          multiple
          hidden
          aria-label={t('editor.insertImage')}
          onChange={(e) => {
            void upload(imageFiles(e.target.files));
            e.target.value = '';
          }}
        />
        {uploading > 0 && (
          <span className="rte__status" role="status">
            <span className="spinner spinner--sm" aria-hidden="true" /> {t('editor.uploading')}
          </span>
        )}
      </div>
      <EditorContent editor={editor} />
      <p className="field__hint">{t('editor.hint')}</p>
    </div>
  );
}
